Attribute VB_Name = "ScorecardRibbon"
' Ribbon callbacks of the xl-scorecard add-in. Each button runs the same Python entry point the
' command line uses, through xlwings' open-source RunPython (the xlwings add-in must be
' installed: `xl-scorecard addin install` does it). Python writes a short message for the user to
' a text file; it is shown here in a message box, never a traceback.
Option Explicit

Private Const TITLE As String = "Scorecard"

Public Sub OnRefresh(control As IRibbonControl)
    Dim wb As Workbook
    Dim path As String
    Set wb = ActiveWorkbook
    If wb Is Nothing Then
        MsgBox "Open the scorecard master workbook first.", vbExclamation, TITLE
        Exit Sub
    End If
    path = wb.FullName
    ' The refresh rewrites the file on disk: save the user's edits, close, refresh, reopen.
    wb.Save
    wb.Close SaveChanges:=False
    RunScorecard "refresh", path
    Workbooks.Open path
    ShowMessage
End Sub

Public Sub OnCheckInputs(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the scorecard master workbook first.", vbExclamation, TITLE
        Exit Sub
    End If
    RunScorecard "check", ActiveWorkbook.FullName
    ShowMessage
End Sub

Public Sub OnEmail(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the scorecard master workbook first.", vbExclamation, TITLE
        Exit Sub
    End If
    ActiveWorkbook.Save
    RunScorecard "email", ActiveWorkbook.FullName
    ShowMessage
End Sub

Public Sub OnOpenSettings(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the scorecard master workbook first.", vbExclamation, TITLE
        Exit Sub
    End If
    RunScorecard "settings", ActiveWorkbook.FullName
    ShowMessage
End Sub

Public Sub OnHelp(control As IRibbonControl)
    MsgBox "Refresh: reads the district files named in the authority configuration and rewrites " & _
           "the scorecard sheets of this workbook. Your own sheets and the Commentary column are kept; " & _
           "the previous version is saved in the backups folder." & vbCrLf & vbCrLf & _
           "Check inputs: lists what is wrong in the district files, without changing anything." & vbCrLf & vbCrLf & _
           "Email: writes an email (.eml) with the summary and the workbook attached, ready to send." & vbCrLf & vbCrLf & _
           "Open settings: opens the authority configuration (authority.toml).", vbInformation, TITLE
End Sub

Private Sub RunScorecard(action As String, path As String)
    Dim code As String
    On Error GoTo NoPython
    Kill MessageFile()
    On Error GoTo NoPython
    code = "import xl_scorecard.excel as x; x.run_from_excel('" & action & "', r'''" & path & "''')"
    Application.Run "'xlwings.xlam'!RunPython", code
    Exit Sub
NoPython:
    If Err.Number = 53 Then Resume Next ' no previous message file
    MsgBox "The scorecard could not start Python (" & Err.Description & "). " & _
           "Ask IT to run: xl-scorecard addin install", vbCritical, TITLE
End Sub

Private Function MessageFile() As String
    MessageFile = Environ$("TEMP") & "\xl-scorecard-message.txt"
End Function

Private Sub ShowMessage()
    Dim handle As Integer
    Dim text As String
    Dim line As String
    If Dir(MessageFile()) = "" Then Exit Sub
    handle = FreeFile
    Open MessageFile() For Input As #handle
    Do While Not EOF(handle)
        Line Input #handle, line
        text = text & line & vbCrLf
    Loop
    Close #handle
    If Left$(text, 6) = "ERROR:" Then
        MsgBox Mid$(text, 7), vbExclamation, TITLE
    Else
        MsgBox text, vbInformation, TITLE
    End If
End Sub
